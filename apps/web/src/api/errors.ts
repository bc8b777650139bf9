import type { FieldErrors } from '@parley/protocol';

/** Codes the client makes up itself, for failures that never reached the server's error shape. */
export const ClientErrorCode = {
  /** fetch rejected: offline, DNS, connection refused. */
  NETWORK_ERROR: 'NETWORK_ERROR',
  /** A non-2xx answer without the `{ error: {...} }` shape (a proxy's HTML page, say). */
  BAD_RESPONSE: 'BAD_RESPONSE',
} as const;

/** A failed API call: the server's `{ error: { code, message, details } }`, flattened. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    /** HTTP status; 0 when the request never got an answer. */
    readonly status: number,
    readonly code: string,
    message: string,
    /** `details.fields` of a VALIDATION_FAILED: field path -> messages. */
    readonly fields: FieldErrors = {},
    readonly details: Record<string, unknown> = {},
    readonly requestId?: string,
  ) {
    super(message);
  }

  /** The first message for a field, if the server complained about it. */
  field(name: string): string | undefined {
    return this.fields[name]?.[0];
  }
}

export function isApiError(err: unknown, code?: string): err is ApiError {
  return err instanceof ApiError && (code === undefined || err.code === code);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Keeps only string-array entries: `details` comes from the wire and is not trusted. */
function parseFields(v: unknown): FieldErrors {
  if (!isRecord(v)) return {};
  const out: FieldErrors = {};
  for (const [key, messages] of Object.entries(v)) {
    if (Array.isArray(messages)) {
      const strings = messages.filter((m): m is string => typeof m === 'string');
      if (strings.length) out[key] = strings;
    }
  }
  return out;
}

/** Reads an error answer into an ApiError; never throws. */
export async function toApiError(res: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  const error = isRecord(body) ? body.error : undefined;
  if (!isRecord(error) || typeof error.code !== 'string') {
    return new ApiError(
      res.status,
      ClientErrorCode.BAD_RESPONSE,
      `The server answered ${res.status} ${res.statusText}`.trim(),
    );
  }
  const details = isRecord(error.details) ? error.details : {};
  return new ApiError(
    res.status,
    error.code,
    typeof error.message === 'string' ? error.message : error.code,
    parseFields(details.fields),
    details,
    typeof error.requestId === 'string' ? error.requestId : undefined,
  );
}
