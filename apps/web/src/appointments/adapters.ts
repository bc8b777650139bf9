import type { Endpoints } from '../api/endpoints';
import type { ScheduleApi } from './schedule';

// The view models' ports over the app's REST endpoints.

export function scheduleApi(endpoints: Endpoints): ScheduleApi {
  return {
    list: (q) =>
      endpoints.appointments.list({ when: q.when, as: q.as, cursor: q.cursor ?? undefined }),
  };
}
