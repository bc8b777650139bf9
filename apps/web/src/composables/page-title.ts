import { computed, inject, onBeforeUnmount, provide, shallowRef, toValue, watchEffect } from 'vue';
import type { ComputedRef, InjectionKey, MaybeRefOrGetter, ShallowRef } from 'vue';

/**
 * The name a page puts in the tab title in place of its route's title ("Design review ·
 * Parley" instead of "Call · Parley"): people find the meeting among their tabs by it.
 * App.vue owns the value (provideTitleName) and writes document.title; pages set it.
 */
interface TitleName {
  /** Whose name it is: a page leaving clears only its own, never the next page's. */
  owner: symbol;
  name: string | null;
}
const TITLE_NAME: InjectionKey<ShallowRef<TitleName | null>> = Symbol('page-title-name');

/** For App.vue: the name pages set (null: the route's own title). */
export function provideTitleName(): ComputedRef<string | null> {
  const slot = shallowRef<TitleName | null>(null);
  provide(TITLE_NAME, slot);
  return computed(() => slot.value?.name ?? null);
}

/**
 * Shows `name` in the tab title while the calling component is mounted (empty or null: the
 * route's title). Outside the app (a component test) it does nothing.
 */
export function usePageTitle(name: MaybeRefOrGetter<string | null | undefined>): void {
  const slot = inject(TITLE_NAME, null);
  if (!slot) return;
  const owner = Symbol('page');
  const stop = watchEffect(() => {
    slot.value = { owner, name: toValue(name)?.trim() || null };
  });
  onBeforeUnmount(() => {
    stop();
    if (slot.value?.owner === owner) slot.value = null;
  });
}

/** "<name> · Parley", "<route title> · Parley", or just "Parley" (the landing page). */
export function tabTitle(appName: string, name: string | null, routeTitle: string | null): string {
  const first = name ?? routeTitle;
  return first ? `${first} · ${appName}` : appName;
}
