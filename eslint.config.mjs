// ESLint (flat config): the recommended rules over every JavaScript file of the package, its
// tests, benchmarks, examples and scripts (`npm run lint`; .ci/run runs it).
import js from '@eslint/js'
import globals from 'globals'

export default [
  {
    // Generated or third-party: the WASI glue napi-rs writes, build output (examples/dist is tsc's), the fuzz workspace.
    ignores: [
      'node_modules/',
      'target/',
      'fuzz/',
      'examples/dist/',
      '**/*.wasi.cjs',
      '**/*.wasi-browser.js',
      '**/wasi-worker*.mjs',
      '**/browser.js',
    ],
  },
  js.configs.recommended,
  // `_next`: Express tells error handlers by their four parameters, used or not.
  { rules: { 'no-unused-vars': ['error', { argsIgnorePattern: '^_' }] } },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { ecmaVersion: 'latest', sourceType: 'commonjs', globals: globals.node },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { ecmaVersion: 'latest', sourceType: 'module', globals: globals.node },
  },
]
