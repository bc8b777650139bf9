import type { MetricsSummary } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { Overview, successRate } from './overview';
import { deferred, sample } from './testing/fixtures';

const summary = (participants: number): MetricsSummary => ({
  now: { participants, rooms: 1, sockets: 3, usersOnline: 2 },
  lastHour: [sample(0, participants)],
  links: { direct: 3, relay: 1, failed: 0 },
  calls: { ended: 2 },
});

describe('successRate', () => {
  it('is the share of links that came up, direct or relayed; null before any', () => {
    expect(successRate({ direct: 0, relay: 0, failed: 0 })).toBeNull();
    expect(successRate({ direct: 6, relay: 2, failed: 2 })).toBe(80);
    expect(successRate({ direct: 0, relay: 0, failed: 5 })).toBe(0);
    expect(successRate({ direct: 1, relay: 1, failed: 1 })).toBe(67);
  });
});

describe('Overview', () => {
  it('shows loading first; a refresh keeps the numbers until new ones come; a failed refresh keeps them too', async () => {
    const answers: ReturnType<typeof deferred<MetricsSummary>>[] = [];
    const model = new Overview(() => {
      const d = deferred<MetricsSummary>();
      answers.push(d);
      return d.promise;
    });
    const first = model.load();
    expect(model.state).toEqual({ kind: 'loading' });
    answers[0]!.resolve(summary(2));
    await first;
    expect(model.state).toMatchObject({ kind: 'ready', refreshing: false });

    const second = model.load();
    expect(model.state).toMatchObject({ kind: 'ready', refreshing: true, summary: summary(2) });
    answers[1]!.reject(new Error('down'));
    await second;
    expect(model.state).toMatchObject({ kind: 'ready', refreshing: false, summary: summary(2) });
    expect((model.state as { error: Error }).error.message).toBe('down');
  });

  it('a failed first load is `failed`', async () => {
    const model = new Overview(() => Promise.reject(new Error('403')));
    await model.load();
    expect(model.state.kind).toBe('failed');
  });
});
