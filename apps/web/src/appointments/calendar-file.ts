// The `.ics` route needs the bearer token, which a plain link cannot send: the file is
// fetched, then handed to the browser as a download from an object URL.

export interface CalendarFileDeps {
  /** A valid access token, or null when signed out. */
  token: () => Promise<string | null>;
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
  /** Saves the blob under `filename` (the browser's download by default). */
  save?: (blob: Blob, filename: string) => void;
}

export class CalendarDownloadError extends Error {
  override readonly name = 'CalendarDownloadError';
  constructor(readonly status: number) {
    super(`The calendar file could not be downloaded (${status}).`);
  }
}

function saveInBrowser(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked after the click has started the download.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Downloads `path` (an appointment's calendar.ics) as `filename`. */
export async function downloadCalendarFile(
  path: string,
  filename: string,
  deps: CalendarFileDeps,
): Promise<void> {
  const token = await deps.token();
  const doFetch = deps.fetch ?? ((input, init) => fetch(input, init));
  const res = await doFetch(path, {
    headers: { accept: 'text/calendar', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  if (!res.ok) throw new CalendarDownloadError(res.status);
  const blob = await res.blob();
  (deps.save ?? saveInBrowser)(blob, filename);
}
