// The frontend's lint gate: `npm run lint` (eslint js tests eslint.config.js).
// eslint:recommended everywhere, unused names are errors; the page's modules see the
// browser's globals, the tests node's; js/core/ sees only what both node and the browser
// have, and may not touch the page or d3, nor import from outside js/core/
// (docs/architecture.md; tests/architecture.test.mjs checks every folder's imports).
import js from "@eslint/js";
import globals from "globals";

import { NOT_IN_CORE } from "./not-in-core.js";

const CORE_MESSAGE = "js/core/ is pure: no DOM, no d3 (docs/architecture.md)";

export default [
  js.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "no-unused-vars": ["error", { args: "after-used", caughtErrors: "none" }],
    },
  },
  {
    files: ["js/**/*.js"],
    ignores: ["js/core/**"],
    languageOptions: { sourceType: "module", globals: globals.browser },
  },
  {
    files: ["js/core/**/*.js"],
    languageOptions: { sourceType: "module", globals: globals["shared-node-browser"] },
    rules: {
      "no-restricted-globals": [
        "error",
        ...NOT_IN_CORE.map((name) => ({ name, message: CORE_MESSAGE })),
      ],
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            // Only "./<file>": a module beside it in js/core/.
            { regex: "^(?!\\./[^/]+$)", message: "js/core/ imports only js/core/" },
          ],
        },
      ],
    },
  },
  {
    files: ["tests/**/*.mjs", "eslint.config.js"],
    languageOptions: { sourceType: "module", globals: globals.node },
  },
];
