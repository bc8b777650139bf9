import { ROOM_LIMITS } from '@parley/protocol';
import type { CreateRoomInput } from '../api';

/**
 * "Start an instant meeting": a room made on the spot, named after its host, that closes
 * once it has been left empty (CreateRoomBody.instant). Newcomers knock: the host is there
 * to let them in, and a link passed on further does not open the door by itself.
 * `nameFor` is the translated "{name}'s meeting".
 */
export function instantRoomBody(
  hostName: string,
  nameFor: (name: string) => string,
): CreateRoomInput {
  const name = nameFor(hostName.trim()).trim().slice(0, ROOM_LIMITS.nameMaxLength).trim();
  return { name, visibility: 'private', entry: 'approval', instant: true };
}
