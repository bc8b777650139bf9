import { onScopeDispose, shallowRef } from 'vue';
import type { ShallowRef } from 'vue';

/** A view model in plain TypeScript: an immutable `state` and a `change` event. */
export interface ViewModel<S> {
  readonly state: S;
  on(event: 'change', fn: (state: S) => void): () => void;
}

/** The model's state as a ref for templates, followed until the component goes. */
export function useModelState<S>(model: ViewModel<S>): Readonly<ShallowRef<S>> {
  const state = shallowRef(model.state);
  const off = model.on('change', (s) => {
    state.value = s;
  });
  onScopeDispose(off);
  return state;
}
