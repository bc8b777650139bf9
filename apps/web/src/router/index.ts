import { normalizeRoomCode } from '@parley/protocol';
import type { Pinia } from 'pinia';
import { createRouter, createWebHistory } from 'vue-router';
import type {
  RouteLocationNormalized,
  RouteLocationRaw,
  RouteRecordRaw,
  Router,
  RouterHistory,
} from 'vue-router';
import { afterAuthTarget } from '../account/after-auth';
import { useAuthStore } from '../stores/auth';
import LandingView from '../views/LandingView.vue';

declare module 'vue-router' {
  interface RouteMeta {
    /** i18n key of the page title ("<title> · Parley"); the landing page is just "Parley". */
    titleKey?: string;
    /** Only registered members (guests and anonymous visitors are sent to log in). */
    requiresMember?: boolean;
    /** Pages for signed-out visitors (log in, register): members go to their rooms. */
    guestPage?: boolean;
    /**
     * Admins only. Anyone else — a member, a guest, a visitor who is not signed in — sees
     * the ordinary not-found page at that address: no "log in first", nothing that tells
     * the admin area exists (the API answers them 401 or 403 anyway).
     */
    requiresAdmin?: boolean;
  }
}

// Each admin section's page, loaded when first opened.
const ADMIN_VIEWS = {
  users: () => import('../views/admin/AdminUsersView.vue'),
  rooms: () => import('../views/admin/AdminRoomsView.vue'),
  appointments: () => import('../views/admin/AdminAppointmentsView.vue'),
  calls: () => import('../views/admin/AdminCallsView.vue'),
  audit: () => import('../views/admin/AdminAuditView.vue'),
  settings: () => import('../views/admin/AdminSettingsView.vue'),
};

export const routes: RouteRecordRaw[] = [
  // ESLint's TypeScript cannot read .vue files (LandingView is unresolved there); vue-tsc
  // types it. The others load lazily, where an unresolved module is no finding.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment
  { path: '/', name: 'landing', component: LandingView },
  {
    path: '/login',
    name: 'login',
    component: () => import('../views/LoginView.vue'),
    meta: { titleKey: 'login.title', guestPage: true },
  },
  {
    path: '/register',
    name: 'register',
    component: () => import('../views/RegisterView.vue'),
    meta: { titleKey: 'register.title', guestPage: true },
  },
  {
    path: '/rooms',
    name: 'rooms',
    component: () => import('../views/DashboardView.vue'),
    meta: { titleKey: 'dashboard.title', requiresMember: true },
  },
  {
    path: '/contacts',
    name: 'contacts',
    component: () => import('../views/ContactsView.vue'),
    meta: { titleKey: 'contacts.title', requiresMember: true },
  },
  {
    path: '/calls',
    name: 'calls',
    component: () => import('../views/CallHistoryView.vue'),
    meta: { titleKey: 'history.title', requiresMember: true },
  },
  {
    path: '/calls/:id/outgoing',
    name: 'outgoing-call',
    component: () => import('../views/OutgoingCallView.vue'),
    meta: { titleKey: 'phone.outgoing.title', requiresMember: true },
  },
  {
    path: '/calls/:id/ended',
    name: 'call-ended',
    component: () => import('../views/CallEndedView.vue'),
    meta: { titleKey: 'phone.ended.title', requiresMember: true },
  },
  {
    path: '/appointments',
    name: 'appointments',
    component: () => import('../views/AppointmentsView.vue'),
    meta: { titleKey: 'appointments.title', requiresMember: true },
  },
  {
    path: '/appointments/:id',
    name: 'appointment',
    component: () => import('../views/AppointmentView.vue'),
    meta: { titleKey: 'appointments.title', requiresMember: true },
  },
  {
    path: '/i/:code',
    name: 'invite',
    component: () => import('../views/InviteView.vue'),
    meta: { titleKey: 'invite.title' },
  },
  // Links of older servers: the invite page says whether the code still means anything.
  {
    path: '/invite/:token',
    redirect: (to) => ({ name: 'invite', params: { code: String(to.params.token) } }),
  },
  {
    path: '/r/:code',
    name: 'prejoin',
    component: () => import('../views/PreJoinView.vue'),
    meta: { titleKey: 'prejoin.title' },
    // Codes typed by hand (any case, without dashes) land on the canonical address.
    beforeEnter: (to) => {
      const raw = String(to.params.code);
      const code = normalizeRoomCode(raw);
      if (code && code !== raw) return { ...to, params: { ...to.params, code } };
      return true;
    },
  },
  {
    path: '/r/:code/call',
    name: 'call',
    component: () => import('../views/CallView.vue'),
    meta: { titleKey: 'call.title' },
  },
  {
    path: '/ended',
    name: 'ended',
    component: () => import('../views/EndedView.vue'),
    meta: { titleKey: 'ended.title' },
  },
  {
    path: '/admin',
    component: () => import('../views/admin/AdminLayout.vue'),
    meta: { titleKey: 'admin.title', requiresAdmin: true },
    children: [
      {
        path: '',
        name: 'admin',
        component: () => import('../views/admin/AdminOverviewView.vue'),
        meta: { titleKey: 'admin.title', requiresAdmin: true },
      },
      ...(['users', 'rooms', 'appointments', 'calls', 'audit', 'settings'] as const).map(
        (section) => ({
          path: section,
          name: `admin-${section}`,
          component: () => ADMIN_VIEWS[section](),
          meta: { titleKey: `admin.sections.${section}`, requiresAdmin: true },
        }),
      ),
    ],
  },
  {
    path: '/account-disabled',
    name: 'account-disabled',
    component: () => import('../views/AccountDisabledView.vue'),
    meta: { titleKey: 'accountDisabled.title' },
  },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('../views/NotFoundView.vue'),
    meta: { titleKey: 'notFound.title' },
  },
];

/** Only same-app paths: `?redirect=https://evil.example` must not send anyone away. */
export function safeRedirect(value: unknown, fallback = '/'): string {
  return typeof value === 'string' &&
    value.startsWith('/') &&
    !value.startsWith('//') &&
    !value.startsWith('/\\')
    ? value
    : fallback;
}

/** Renders the not-found page while keeping the address that was asked for. */
export function notFoundAt(to: RouteLocationNormalized): RouteLocationRaw {
  return {
    name: 'not-found',
    params: { pathMatch: to.path.substring(1).split('/') },
    query: to.query,
    hash: to.hash,
  };
}

export function createAppRouter(pinia: Pinia, history: RouterHistory = createWebHistory()): Router {
  const router = createRouter({
    history,
    routes,
    scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
  });

  router.beforeEach((to): RouteLocationRaw | true => {
    const auth = useAuthStore(pinia);
    // The not-found page at the same address: nothing tells a non-admin what is here.
    if (to.meta.requiresAdmin && !auth.isAdmin) return notFoundAt(to);
    if (to.meta.requiresMember && !auth.isMember) {
      return {
        name: 'login',
        query: { redirect: to.fullPath, ...(auth.isGuest ? { reason: 'member' } : {}) },
      };
    }
    if (to.meta.guestPage && auth.isMember) {
      return afterAuthTarget(to.query.redirect);
    }
    return true;
  });

  return router;
}
