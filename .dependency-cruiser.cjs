// Dependency rules for the whole monorepo (docs/ARCHITECTURE.md, "Layout" lists them).
// `npm run lint` runs `depcruise apps packages --config .dependency-cruiser.cjs`.
// Every rule is an error: a new violation fails CI. Fix the import, not the rule.

const SERVER = '^apps/server/src/';
const PLATFORM = `${SERVER}platform/`;
const MODULES = `${SERVER}modules/`;
const MODULE_INDEX = `${MODULES}[^/]+/index\\.ts$`;
const SIGNALING = `${MODULES}signaling/`;
const WEB_CALLS = '^apps/web/src/calls/';

// Test code: test files, and the support only tests use (src/test/ with the harness,
// src/authz/ with the authorization matrix suite, src/security/ with the security suite, a module's `test-*.ts` such as
// signaling's test server and client, `fixtures.ts`, `testing/` and `fixtures/` folders).
const TEST_CODE = [
  '\\.test\\.ts$',
  '(^|/)test-[^/]+\\.ts$',
  '(^|/)fixtures\\.ts$',
  '(^|/)(testing|fixtures)/',
  `${SERVER}test/`,
  `${SERVER}authz/`,
  // The security suite (issue 13) and its support: forged tokens, fuzzing clients.
  `${SERVER}security/`,
];
// A module's test support may be used by other modules' tests (chat and playback tests
// drive a real socket through signaling's test server). It is deliberately not part of
// index.ts, so it never enters the production graph; `no-test-code-in-production`
// keeps production code away from it.
const MODULE_TEST_SUPPORT = `${MODULES}[^/]+/test-[^/]+\\.ts$`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'platform-not-to-modules',
      comment:
        'platform/ is the layer below the modules (config, db, live state, errors, auth ' +
        'primitives, password hashing) and imports nothing from modules/. Its tests too: a ' +
        "test that drives modules' repos belongs in src/test/ or in the module.",
      severity: 'error',
      from: { path: PLATFORM },
      to: { path: MODULES },
    },
    {
      name: 'modules-through-their-index',
      comment:
        "A module reaches another module only through that module's public face, " +
        '`modules/<name>/index.ts`, never its service.ts, repo.ts, … Inside one module ' +
        "imports are free, so a module's tests may use its internals. Tests may also use " +
        "another module's test support (test-*.ts).",
      severity: 'error',
      from: { path: `${MODULES}([^/]+)/` },
      to: {
        path: MODULES,
        pathNot: [`${MODULES}$1/`, MODULE_INDEX, MODULE_TEST_SUPPORT],
      },
    },
    {
      name: 'composition-root-through-module-index',
      comment:
        'The composition root (app.ts, main.ts, cli/) and the shared test code outside the ' +
        'modules (src/test/, the authz fixtures) reach modules through their index.ts too.',
      severity: 'error',
      from: { path: SERVER, pathNot: [MODULES, PLATFORM] },
      to: { path: MODULES, pathNot: [MODULE_INDEX, MODULE_TEST_SUPPORT] },
    },
    {
      name: 'no-cycles-between-modules',
      comment:
        'Server modules form a directed graph: a cycle that leaves a module (auth -> users ' +
        '-> auth) means one of them owns something in the wrong place. Type-only imports ' +
        'count, they couple modules just the same. Every cross-module import goes through ' +
        "an index.ts, so a cycle between modules' production code shows up here as a file " +
        'cycle through their index files; tests are leaves and cannot close one.',
      severity: 'error',
      from: { path: `${MODULES}([^/]+)/` },
      to: { circular: true, via: { pathNot: `${MODULES}$1/` } },
    },
    {
      name: 'only-signaling-touches-sockets',
      comment:
        'Only modules/signaling holds WebSocket objects; every other module reaches ' +
        'clients through the bus, so the same code runs on one process or many. The ' +
        'security suite may open raw sockets (its fuzzer sends frames no client would).',
      severity: 'error',
      from: { pathNot: [SIGNALING, `${SERVER}security/`] },
      to: { path: '(^|/)node_modules/(@types/)?ws/' },
    },
    {
      name: 'calls-engine-is-framework-free',
      comment:
        'apps/web/src/calls is the call engine in plain TypeScript, unit-tested with fakes: ' +
        'no Vue (nor Pinia, Vue Router, VueUse, vue-i18n or Vue component kits) and nothing ' +
        'from the rest of the web app, which adapts the engine, never the reverse.',
      severity: 'error',
      from: { path: WEB_CALLS },
      to: {
        path: [
          '(^|/)node_modules/(vue|pinia|vue-router|vue-i18n|reka-ui|lucide-vue-next)/',
          '(^|/)node_modules/@(vue|vueuse)/',
          '^apps/web/src/',
        ],
        pathNot: WEB_CALLS,
      },
    },
    {
      name: 'protocol-is-standalone',
      comment: 'packages/protocol is shared by server and web; it imports nothing from apps/.',
      severity: 'error',
      from: { path: '^packages/protocol/' },
      to: { path: '^apps/' },
    },
    {
      name: 'no-test-code-in-production',
      comment: 'Fakes, fixtures and harnesses never end up in the shipped dependency graph.',
      severity: 'error',
      from: { pathNot: TEST_CODE },
      to: { path: TEST_CODE },
    },
    {
      name: 'not-to-unresolvable',
      comment:
        'An import the cruiser cannot resolve is invisible to every rule above, so it is an ' +
        'error too (tsc refuses it anyway).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Build output of our own packages; node_modules stays in the graph (unfollowed) so
    // the rules about `ws` and Vue can see imports of packages.
    exclude: { path: '^(apps|packages)/[^/]+/(dist|dev-dist|coverage)/' },
    doNotFollow: { path: '(^|/)node_modules/' },
    // `import type` is a dependency too: types from another module's internals are
    // coupling to those internals.
    tsPreCompilationDeps: true,
    // Shared compiler options. dependency-cruiser maps the `.js` specifiers of the
    // NodeNext sources to their `.ts` files by itself.
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      // `@parley/protocol` resolves to its TypeScript source, as in tsc and vitest.
      exportsFields: ['exports'],
      conditionNames: ['@parley/source', 'import', 'types', 'node', 'default'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
