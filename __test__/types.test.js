// Type check: a strict `tsc` run over consumer files (CJS and ESM) that use the public types;
// valid uses must compile and every `@ts-expect-error` misuse must be an error.
'use strict'
const { describe, it } = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

describe('TypeScript types', () => {
  it('compile for valid uses and reject every marked misuse under strict tsc', () => {
    const tsc = require.resolve('typescript/bin/tsc')
    const project = path.join(__dirname, 'types', 'tsconfig.json')
    const result = spawnSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8' })
    assert.equal(result.status, 0, `tsc failed:\n${result.stdout}${result.stderr}`)
  })

  it('check every consumer file in __test__/types (none left out of tsconfig.json)', () => {
    const dir = path.join(__dirname, 'types')
    const { files } = JSON.parse(fs.readFileSync(path.join(dir, 'tsconfig.json'), 'utf8'))
    const consumers = fs.readdirSync(dir).filter((name) => /\.[cm]?ts$/.test(name))
    assert.deepEqual([...files].sort(), consumers.sort())
  })
})
