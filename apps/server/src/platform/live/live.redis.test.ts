import { randomBytes } from 'node:crypto';
import { describe, it } from 'vitest';
import { liveStateContract } from './contract.js';
import { createRedisLiveState } from './redis/index.js';
import { TEST_REDIS_URL, dropKeys } from './redis/testing.js';

if (TEST_REDIS_URL) {
  const url = TEST_REDIS_URL;
  liveStateContract('redis', async (clock) => {
    const prefix = `test:${randomBytes(6).toString('hex')}:`;
    const live = await createRedisLiveState({ url, prefix, clock });
    return {
      ...live,
      async close() {
        await live.close();
        await dropKeys(url, prefix);
      },
    };
  });
} else {
  describe.skip('live state contract: redis (set TEST_REDIS_URL to run)', () => {
    it('runs over a real Redis', () => undefined);
  });
}
