import { describe } from 'vitest';
import { dialects } from '../test/harness.js';
import { describeMatrix } from './matrix.js';

// The same matrix on PostgreSQL (when TEST_DATABASE_URL is set), in its own file so it
// runs beside the SQLite one instead of after it.
describe.skipIf(!dialects.includes('postgres'))('PostgreSQL', () => {
  describeMatrix('postgres');
});
