/**
 * Video send ceiling per peer connection for a mesh of `people` (self included). In a
 * mesh every browser uploads one copy per other person, so the per-copy rate falls as
 * the room grows to keep the total video upload at or under 3.5 Mbps up to 12 people, which
 * home uplinks manage.
 */
export function bitrateForRoomSize(people: number): number {
  if (people <= 2) return 1_500_000;
  if (people <= 4) return 800_000;
  if (people <= 8) return 500_000;
  return 300_000;
}
