// First: settings that must be in place before any other module runs.
import './csp';
import { createPinia } from 'pinia';
import { createApp, watch } from 'vue';
import App from './App.vue';
import { debugEnabled, tabStorage } from './components/call/debug';
import { createAppI18n } from './i18n';
import { createAppRouter } from './router';
import './style.css';

// `?debug` on the first address is remembered for the tab (the call page's debug handle).
debugEnabled(location.search, tabStorage());

const pinia = createPinia();
const i18n = createAppI18n();
const router = createAppRouter(pinia);

// `<html lang>` follows the chosen language (screen readers pick their voice from it).
watch(
  i18n.global.locale,
  (locale) => {
    document.documentElement.lang = locale;
  },
  { immediate: true },
);

// ESLint's TypeScript cannot read .vue files (App is unresolved there); vue-tsc types it.
// eslint-disable-next-line @typescript-eslint/no-unsafe-argument
createApp(App).use(pinia).use(i18n).use(router).mount('#app');
