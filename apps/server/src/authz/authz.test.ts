import { describeMatrix } from './matrix.js';

// The authorization matrix on SQLite; the table and the rules it checks are in matrix.ts.
describeMatrix('sqlite');
