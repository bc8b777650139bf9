// Lets plain tsc (ESLint's project service) type `.vue` imports; vue-tsc resolves the real files.
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent;
  export default component;
}
