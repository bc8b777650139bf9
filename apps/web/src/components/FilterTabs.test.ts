// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import FilterTabs from './FilterTabs.vue';

const OPTIONS = [
  { value: 'upcoming', label: 'Upcoming' },
  { value: 'past', label: 'Past' },
] as const;

function tabs(modelValue: 'upcoming' | 'past') {
  return mount(FilterTabs, {
    props: { modelValue, options: OPTIONS, label: 'When', testid: 'tab' },
  });
}

describe('FilterTabs', () => {
  it('marks the chosen value pressed and names each button <testid>-<value>', () => {
    const w = tabs('past');
    expect(w.get('[role="group"]').attributes('aria-label')).toBe('When');
    expect(w.get('[data-testid="tab-past"]').attributes('aria-pressed')).toBe('true');
    expect(w.get('[data-testid="tab-upcoming"]').attributes('aria-pressed')).toBe('false');
  });

  it('reports a new value to v-model, and every press (the current one too) as pick', async () => {
    const w = tabs('upcoming');
    await w.get('[data-testid="tab-upcoming"]').trigger('click');
    expect(w.emitted('update:modelValue')).toBeUndefined();
    expect(w.emitted('pick')).toEqual([['upcoming']]);

    await w.get('[data-testid="tab-past"]').trigger('click');
    expect(w.emitted('update:modelValue')).toEqual([['past']]);
    expect(w.emitted('pick')).toEqual([['upcoming'], ['past']]);
  });
});
