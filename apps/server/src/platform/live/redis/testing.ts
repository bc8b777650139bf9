import { createClient } from 'redis';

/** Redis suites run when TEST_REDIS_URL is set (CI sets it). */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL;
if (!TEST_REDIS_URL && process.env.CI) {
  throw new Error('CI must set TEST_REDIS_URL so the Redis suites run.');
}

/** Deletes a test run's keys, so runs sharing one Redis never see each other's. */
export async function dropKeys(url: string, prefix: string): Promise<void> {
  const client = createClient({ url });
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
      if (keys.length) await client.del(keys);
    }
  } finally {
    client.destroy();
  }
}
