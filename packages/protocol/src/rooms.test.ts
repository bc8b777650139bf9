import { describe, expect, it } from 'vitest';
import {
  CanonicalRoomCode,
  ROOM_CODE_ALPHABET,
  ROOM_CODE_ENTROPY_BITS,
  ROOM_CODE_LENGTH,
  ROOM_CODE_PATTERN,
  RoomCode,
  formatRoomCode,
  normalizeRoomCode,
} from './room-code.js';
import {
  AcceptInviteResponse,
  CreateInviteBody,
  CreateRoomBody,
  IdOrCodeParam,
  Invite,
  InviteCode,
  JoinRoomBody,
  Room,
  UpdateRoomBody,
} from './rooms.js';

describe('room codes', () => {
  it('carry at least 47 bits of randomness (DESIGN.md §8)', () => {
    const bits = ROOM_CODE_LENGTH * Math.log2(ROOM_CODE_ALPHABET.length);
    expect(bits).toBeGreaterThanOrEqual(47);
    expect(ROOM_CODE_ENTROPY_BITS).toBeCloseTo(bits, 10);
  });

  it('use an alphabet of distinct lower-case letters without i, l, o', () => {
    expect(ROOM_CODE_ALPHABET).toMatch(/^[a-z]+$/);
    expect(new Set(ROOM_CODE_ALPHABET).size).toBe(ROOM_CODE_ALPHABET.length);
    for (const c of 'ilo01') expect(ROOM_CODE_ALPHABET).not.toContain(c);
  });

  it('normalise case, spaces and dashes to the canonical dashed form', () => {
    expect(RoomCode.parse('abc-defg-hjkm')).toBe('abc-defg-hjkm');
    expect(RoomCode.parse('ABCDEFGHJKM')).toBe('abc-defg-hjkm');
    expect(RoomCode.parse('  Abc defg-HJKM ')).toBe('abc-defg-hjkm');
    expect(RoomCode.parse('ab-cdef-ghjkm')).toBe('abc-defg-hjkm');
  });

  it('reject codes of the wrong length or with letters outside the alphabet', () => {
    expect(RoomCode.safeParse('abc-defg-hjk').success).toBe(false); // 10 letters
    expect(RoomCode.safeParse('abc-defg-hjkmn').success).toBe(false); // 12 letters
    expect(RoomCode.safeParse('abc-defg-hjkl').success).toBe(false); // l is excluded
    expect(RoomCode.safeParse('abc-def0-hjkm').success).toBe(false);
    expect(RoomCode.safeParse('').success).toBe(false);
    expect(normalizeRoomCode('abc_defg_hjkm')).toBeNull();
  });

  it('format raw letters from the generator and refuse anything else', () => {
    expect(formatRoomCode('xyzabcdefgh')).toBe('xyz-abcd-efgh');
    expect(formatRoomCode('xyzabcdefgh')).toMatch(ROOM_CODE_PATTERN);
    expect(() => formatRoomCode('xyz')).toThrow(RangeError);
  });

  it('accept only the canonical form in responses', () => {
    expect(CanonicalRoomCode.safeParse('abc-defg-hjkm').success).toBe(true);
    expect(CanonicalRoomCode.safeParse('ABC-DEFG-HJKM').success).toBe(false);
    expect(CanonicalRoomCode.safeParse('abcdefghjkm').success).toBe(false);
  });
});

describe('CreateRoomBody', () => {
  const base = { name: ' Weekly sync ', visibility: 'private', entry: 'approval' } as const;

  it('leaves chatEnabled and maxParticipants out when not given (the server applies its settings) and trims the name', () => {
    expect(CreateRoomBody.parse(base)).toEqual({
      name: 'Weekly sync',
      visibility: 'private',
      entry: 'approval',
    });
  });

  it('keeps maxParticipants between 2 and 50', () => {
    expect(CreateRoomBody.safeParse({ ...base, maxParticipants: 1 }).success).toBe(false);
    expect(CreateRoomBody.safeParse({ ...base, maxParticipants: 51 }).success).toBe(false);
    expect(CreateRoomBody.safeParse({ ...base, maxParticipants: 2.5 }).success).toBe(false);
    expect(CreateRoomBody.parse({ ...base, maxParticipants: 50 }).maxParticipants).toBe(50);
  });

  it('takes a password only for password entry, 6 to 128 characters', () => {
    const pw = { ...base, entry: 'password' } as const;
    expect(CreateRoomBody.parse({ ...pw, password: 'secret' }).password).toBe('secret');
    expect(CreateRoomBody.parse(pw).password).toBeUndefined();
    expect(CreateRoomBody.safeParse({ ...pw, password: 'short' }).success).toBe(false);
    expect(CreateRoomBody.safeParse({ ...pw, password: 'x'.repeat(129) }).success).toBe(false);
    const wrong = CreateRoomBody.safeParse({ ...base, password: 'secret1' });
    expect(wrong.success).toBe(false);
    expect(wrong.error?.issues[0]?.path).toEqual(['password']);
  });

  it('rejects an unknown visibility or entry and a name with control characters', () => {
    expect(CreateRoomBody.safeParse({ ...base, visibility: 'secret' }).success).toBe(false);
    expect(CreateRoomBody.safeParse({ ...base, entry: 'knock' }).success).toBe(false);
    expect(CreateRoomBody.safeParse({ ...base, name: 'a\nb' }).success).toBe(false);
    expect(CreateRoomBody.safeParse({ ...base, name: '   ' }).success).toBe(false);
  });
});

describe('UpdateRoomBody', () => {
  it('needs at least one known field', () => {
    expect(UpdateRoomBody.safeParse({}).success).toBe(false);
    expect(UpdateRoomBody.safeParse({ unknown: 1 }).success).toBe(false);
    expect(UpdateRoomBody.parse({ locked: false })).toEqual({ locked: false });
  });

  it('refuses a password together with a non-password entry', () => {
    expect(UpdateRoomBody.safeParse({ entry: 'open', password: 'secret' }).success).toBe(false);
    expect(UpdateRoomBody.safeParse({ entry: 'password', password: 'secret' }).success).toBe(true);
  });
});

describe('path parameters', () => {
  it('tag a UUID as an id and a room code as a canonical code', () => {
    const id = '0b8e5b3e-8a1f-4c1e-9b7a-2f4d6c8e0a12';
    expect(IdOrCodeParam.parse({ idOrCode: id })).toEqual({ idOrCode: { kind: 'id', id } });
    expect(IdOrCodeParam.parse({ idOrCode: 'ABCDEFGHJKM' })).toEqual({
      idOrCode: { kind: 'code', code: 'abc-defg-hjkm' },
    });
    expect(IdOrCodeParam.safeParse({ idOrCode: 'not-a-room' }).success).toBe(false);
  });
});

describe('invites and joining', () => {
  it('limit invite lifetime to 30 days and uses to 1000', () => {
    expect(CreateInviteBody.safeParse({ expiresInMinutes: 43_200 }).success).toBe(true);
    expect(CreateInviteBody.safeParse({ expiresInMinutes: 43_201 }).success).toBe(false);
    expect(CreateInviteBody.safeParse({ expiresInMinutes: 0 }).success).toBe(false);
    expect(CreateInviteBody.safeParse({ expiresInMinutes: 60, maxUses: 1001 }).success).toBe(false);
  });

  it('accept a join without a password and refuse an absurdly long one', () => {
    expect(JoinRoomBody.parse({})).toEqual({});
    expect(JoinRoomBody.safeParse({ password: 'x'.repeat(129) }).success).toBe(false);
  });

  it('give an invite link as an absolute URL or as the path /i/<code>, nothing else', () => {
    const invite = (url: string) =>
      Invite.safeParse({
        code: 'abcde-FGHJK',
        url,
        roomId: '00000000-0000-4000-8000-000000000001',
        createdAt: '2030-01-01T00:00:00Z',
        createdBy: { id: '00000000-0000-4000-8000-000000000002', displayName: 'Ada' },
        expiresAt: '2030-01-02T00:00:00Z',
        maxUses: null,
        uses: 0,
        skipLobby: false,
        revokedAt: null,
        status: 'active',
      }).success;
    expect(invite('https://meet.example.org/i/abcde-FGHJK')).toBe(true);
    expect(invite('/i/abcde-FGHJK')).toBe(true);
    for (const bad of ['//evil.example/i/t', '/elsewhere/t', '/i/', 'i/t']) {
      expect(invite(bad)).toBe(false);
    }
  });

  it('read invite codes from the unambiguous alphabet only', () => {
    expect(InviteCode.safeParse('abcde-FGHJK').success).toBe(true);
    // l, o, I, O, 0 and 1 are easy to misread, so they never appear in a code.
    for (const bad of ['abcdl-FGHJK', 'abcdo-FGHJK', 'abcde-FGHJI', 'abcde-FGHJ0', 'abcdeFGHJK']) {
      expect(InviteCode.safeParse(bad).success).toBe(false);
    }
  });

  it('answer an accepted invite as approved, or pending in the lobby', () => {
    const room = Room.parse(sampleRoom());
    expect(AcceptInviteResponse.safeParse({ room, status: 'approved' }).success).toBe(true);
    expect(AcceptInviteResponse.safeParse({ room, status: 'pending' }).success).toBe(true);
    expect(AcceptInviteResponse.safeParse({ room, status: 'denied' }).success).toBe(false);
  });
});

describe('Room', () => {
  it('strips anything that is not a public room field, such as a password hash', () => {
    const parsed = Room.parse({ ...sampleRoom(), passwordHash: 'scrypt$…', hostEmail: 'a@b.c' });
    expect(parsed).not.toHaveProperty('passwordHash');
    expect(parsed).not.toHaveProperty('hostEmail');
  });
});

function sampleRoom() {
  return {
    id: '0b8e5b3e-8a1f-4c1e-9b7a-2f4d6c8e0a12',
    code: 'abc-defg-hjkm',
    name: 'Weekly sync',
    visibility: 'private',
    entry: 'approval',
    chatEnabled: true,
    maxParticipants: 12,
    locked: false,
    status: 'open',
    hostId: '5f0c8a5e-2b7d-4c3a-8e1f-9a6b4d2c0e11',
    hostDisplayName: 'Ada',
    createdAt: '2025-01-01T10:00:00.000Z',
    closedAt: null,
    participantCount: 0,
    myStatus: null,
    myRole: null,
  };
}
