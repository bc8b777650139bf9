import { PublicSettings, SettingsPatch, SettingsResponse } from '@parley/protocol';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { adminsOnly, bearerSecurity, callerOf, currentUser } from '../../platform/auth/hook.js';
import { errorResponses } from '../../platform/http-errors.js';
import type { SettingsService } from './service.js';

/**
 * The system settings: admins read and change them; anyone may ask which doors are open
 * (the sign-up page says so when registration is closed).
 */
export function settingsRoutes(deps: {
  settings: SettingsService;
  authenticate: onRequestAsyncHookHandler;
}) {
  return function register(app: FastifyInstance): void {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const admin = { onRequest: [deps.authenticate, adminsOnly] };

    r.get('/admin/settings', {
      ...admin,
      schema: {
        tags: ['admin'],
        summary: 'The system settings, and who changed them last (admins only)',
        security: bearerSecurity,
        response: { 200: SettingsResponse, ...errorResponses(401, 403) },
      },
      handler: () => deps.settings.view(),
    });

    r.patch('/admin/settings', {
      ...admin,
      schema: {
        tags: ['admin'],
        summary: 'Change some settings (admins only); every process obeys at once',
        description:
          'Sections merge field by field into the current settings. A result that does not ' +
          'validate as a whole (e.g. a default room size above the limit) is a 400 ' +
          'VALIDATION_FAILED with `details.fields`, and nothing is stored.',
        security: bearerSecurity,
        body: SettingsPatch,
        response: { 200: SettingsResponse, ...errorResponses(400, 401, 403) },
      },
      handler: (req) => deps.settings.update(currentUser(req), req.body, callerOf(req)),
    });

    r.get('/settings', {
      schema: {
        tags: ['settings'],
        summary: 'What a visitor may do here: registration mode and guest access (no sign-in)',
        response: { 200: PublicSettings },
      },
      handler: () => deps.settings.publicView(),
    });
  };
}
