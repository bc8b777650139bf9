import { CreateRoomBody, ROOM_LIMITS } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { instantRoomBody } from './instant-meeting';

const named = (name: string) => `${name}'s meeting`;

describe('an instant meeting', () => {
  it('is an instant room (closes when left empty) where newcomers knock', () => {
    const body = instantRoomBody('Ada', named);
    expect(body).toEqual({
      name: "Ada's meeting",
      visibility: 'private',
      entry: 'approval',
      instant: true,
    });
    expect(CreateRoomBody.parse(body).instant).toBe(true);
  });

  it('keeps a long host name within the room-name limit the server checks', () => {
    const body = instantRoomBody('x'.repeat(64), (n) => `Встреча: ${n} `.repeat(2));
    expect(body.name.length).toBeLessThanOrEqual(ROOM_LIMITS.nameMaxLength);
    expect(CreateRoomBody.safeParse(body).success).toBe(true);
  });
});
