import { config } from 'zod';

// zod (used through @parley/protocol) probes `new Function` once to decide whether it may
// compile fast parsers. The server's CSP has no 'unsafe-eval', so the probe would log a CSP
// violation on every page load; jitless skips the probe and uses the plain parsers.
config({ jitless: true });
