/**
 * One JSON object per line on stdout for every notable event, so a test (or `jq`) can follow
 * the bot: `{"t":"…","event":"joined",…}`.
 */
export function log(event: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ t: new Date().toISOString(), event, ...fields })}\n`);
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
