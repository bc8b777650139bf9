import { mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import type { Component } from 'vue';
import { createMemoryHistory, createRouter } from 'vue-router';
import { createAppI18n } from '../i18n';
import type { Locale } from '../i18n';

/**
 * Mounts a component with the app's plugins: Pinia, the English (or given) messages, and a
 * router on memory history whose every path renders an empty page.
 */
export async function mountWithApp(
  component: Component,
  opts: { props?: Record<string, unknown>; locale?: Locale; path?: string } = {},
) {
  const pinia = createPinia();
  const i18n = createAppI18n(opts.locale ?? 'en');
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [{ path: '/:any(.*)*', component: { render: () => null } }],
  });
  await router.push(opts.path ?? '/');
  await router.isReady();
  const wrapper = mount(component, {
    props: opts.props,
    attachTo: document.body,
    global: { plugins: [pinia, i18n, router] },
  });
  return { wrapper, router, i18n, pinia };
}
