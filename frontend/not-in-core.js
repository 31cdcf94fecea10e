// The globals js/core/ may not use, shared by the lint gate (eslint.config.js) and
// tests/architecture.test.mjs, which checks them without eslint's packages.

/** Globals js/core/ may not use: the page, its frames and clock, the network, d3. */
export const NOT_IN_CORE = [
  "document",
  "window",
  "self",
  "globalThis",
  "navigator",
  "location",
  "history",
  "localStorage",
  "sessionStorage",
  "requestAnimationFrame",
  "cancelAnimationFrame",
  "performance",
  "fetch",
  "d3",
  "katex",
  "ELK",
];
