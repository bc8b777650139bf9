import type { ParticipantRole } from '@parley/protocol';

// Types the call page shares with its panels. They live in a .ts file, not in the .vue files
// that use them: ESLint's TypeScript program cannot read .vue files, only vue-tsc can.

/** The side panels of the call page. */
export type CallPanel = 'participants' | 'chat';

/** A row of the participants panel (this person; the others come as RemoteTile). */
export interface PanelPerson {
  key: string;
  userId: string;
  name: string;
  role: ParticipantRole;
  isGuest: boolean;
  self: boolean;
  audio: boolean;
  video: boolean;
}
