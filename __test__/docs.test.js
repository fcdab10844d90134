// Docs test: every JavaScript and TypeScript code block of README.md, SECURITY.md, CONTRIBUTING.md
// and docs/*.md compiles. Each block is written to a temporary folder inside the repository (so
// `mtribes-trusted-identity` resolves to this package through its own `exports`, and express and
// @nestjs/* to the devDependencies) and the lot is type-checked by the project's `typescript`:
//   ts, typescript -> .mts  (ES module in TypeScript; strict, decorators as Nest uses them), and
//                     .cts too (CommonJS in TypeScript) unless it awaits at the top level
//   mjs            -> .mjs  (ES module in JavaScript, checkJs)
//   js, javascript,
//   cjs            -> .cjs  (CommonJS in JavaScript, checkJs)
// A block tagged `<tag> fragment` (such as ```js fragment) is a piece of code on purpose and is
// skipped. Any other tag (sh, dockerfile, ...) is not code this test checks; an untagged block fails.
// Each block is compiled on its own, as pasted into a fresh project that has only the packages it
// names (and @types/node): no names are declared for it, and no other block's declarations reach it.
// Also: every relative link of those files leads to a file that exists, and its #anchor to a heading.
'use strict'
const { describe, it, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const root = path.join(__dirname, '..')

const EXTENSIONS = { ts: '.mts', typescript: '.mts', mjs: '.mjs', js: '.cjs', javascript: '.cjs', cjs: '.cjs' }

const TSCONFIG = {
  compilerOptions: {
    strict: true,
    noEmit: true,
    // node20, not node16: a CommonJS file may then import an ES module, as Nest 12 (ESM only)
    // needs and docs/frameworks.md says.
    module: 'node20',
    moduleDetection: 'force',
    target: 'es2022',
    lib: ['es2022', 'esnext.disposable'],
    types: ['node'],
    allowJs: true,
    checkJs: true,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    skipLibCheck: true,
  },
}

/** The documents whose code blocks are checked, relative to the repository root. */
function documents() {
  const docs = fs.existsSync(path.join(root, 'docs'))
    ? fs
        .readdirSync(path.join(root, 'docs'))
        .filter((name) => name.endsWith('.md'))
        .sort()
        .map((name) => `docs/${name}`)
    : []
  return ['README.md', 'SECURITY.md', 'CONTRIBUTING.md', ...docs].filter((file) => fs.existsSync(path.join(root, file)))
}

/** Every fenced code block of a Markdown text: { info, line (of its first code line), code }. */
function codeBlocks(text) {
  const blocks = []
  const lines = text.split('\n')
  for (let index = 0; index < lines.length; index++) {
    const open = /^(\s*)(`{3,}|~{3,})(.*)$/.exec(lines[index])
    if (!open) continue
    const [, indent, fence, info] = open
    const body = []
    let end = index + 1
    while (
      end < lines.length &&
      !(lines[end].trim().startsWith(fence) && lines[end].trim().replace(/[`~]/g, '') === '')
    ) {
      body.push(lines[end].startsWith(indent) ? lines[end].slice(indent.length) : lines[end])
      end++
    }
    blocks.push({ info: info.trim(), line: index + 2, code: body.join('\n') + '\n' })
    index = end
  }
  return blocks
}

/** Whether TypeScript `code` has an `await` (or `for await`) outside any function. */
function awaitsAtTopLevel(code) {
  const ts = require('typescript')
  const visit = (node) =>
    ts.isFunctionLike(node) || ts.isClassLike(node)
      ? false
      : ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier !== undefined)
        ? true
        : (ts.forEachChild(node, visit) ?? false)
  return visit(ts.createSourceFile('block.mts', code, ts.ScriptTarget.Latest, true))
}

/** GitHub's anchor for a heading: lowercase, punctuation dropped, spaces to hyphens. */
function slug(heading) {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-')
}

function anchors(file) {
  const text = fs.readFileSync(file, 'utf8').replace(/^(`{3,}|~{3,})[^]*?^\1/gm, '')
  return new Set([...text.matchAll(/^#{1,6}\s+(.*)$/gm)].map((match) => slug(match[1])))
}

describe('links in the documentation', () => {
  it('lead to files that exist, and to headings that exist', () => {
    const broken = []
    for (const doc of documents()) {
      const text = fs.readFileSync(path.join(root, doc), 'utf8').replace(/^(`{3,}|~{3,})[^]*?^\1/gm, '')
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target)) continue // https:, mailto:
        const [file, anchor] = target.split('#')
        const resolved = file === '' ? path.join(root, doc) : path.join(root, path.dirname(doc), file)
        if (!fs.existsSync(resolved)) broken.push(`${doc}: ${target} (no such file)`)
        else if (anchor !== undefined && resolved.endsWith('.md') && !anchors(resolved).has(anchor)) {
          broken.push(`${doc}: ${target} (no such heading)`)
        }
      }
    }
    assert.deepEqual(broken, [])
  })
})

describe('code blocks in the documentation', () => {
  const dir = fs.mkdtempSync(path.join(root, '.docs-snippets-'))
  after(() => fs.rmSync(dir, { recursive: true, force: true }))

  const checked = [] // { file, doc, line }
  for (const doc of documents()) {
    for (const block of codeBlocks(fs.readFileSync(path.join(root, doc), 'utf8'))) {
      const [tag = '', ...flags] = block.info.split(/\s+/)
      if (!(tag in EXTENSIONS) || flags.includes('fragment')) continue
      const file = `${doc.replace(/[^A-Za-z0-9]/g, '_')}_L${block.line}${EXTENSIONS[tag]}`
      fs.writeFileSync(path.join(dir, file), block.code)
      checked.push({ file, doc, line: block.line })
      // A TypeScript block also as a CommonJS module (a project without "type": "module"), unless
      // it awaits at the top level, which only an ES module can.
      if (EXTENSIONS[tag] === '.mts' && !awaitsAtTopLevel(block.code)) {
        const cjs = file.replace(/\.mts$/, '.cts')
        fs.writeFileSync(path.join(dir, cjs), block.code)
        checked.push({ file: cjs, doc, line: block.line })
      }
    }
  }

  it('tag every fenced block with its language', () => {
    const untagged = documents().flatMap((doc) =>
      codeBlocks(fs.readFileSync(path.join(root, doc), 'utf8'))
        .filter((block) => block.info === '')
        .map((block) => `${doc}:${block.line - 1}`),
    )
    assert.deepEqual(untagged, [], 'untagged code blocks (tag them js, ts, sh, ...)')
  })

  it('compile, each on its own: TypeScript strict, JavaScript with checkJs', () => {
    assert.ok(checked.length > 0, 'no code blocks found')
    const ts = require('typescript')
    const { options, errors } = ts.convertCompilerOptionsFromJson(TSCONFIG.compilerOptions, dir)
    assert.deepEqual(errors, [])
    // One program per block, so that no block's declarations (a module augmentation, a global)
    // reach another; the declaration files they share are parsed once.
    const host = ts.createCompilerHost(options)
    const parsed = new Map()
    const getSourceFile = host.getSourceFile.bind(host)
    host.getSourceFile = (fileName, languageVersion, ...rest) => {
      if (path.dirname(fileName) === dir.replace(/\\/g, '/')) return getSourceFile(fileName, languageVersion, ...rest)
      const key = `${fileName}\0${JSON.stringify(languageVersion)}`
      if (!parsed.has(key)) parsed.set(key, getSourceFile(fileName, languageVersion, ...rest))
      return parsed.get(key)
    }
    const failures = []
    for (const entry of checked) {
      const program = ts.createProgram({ rootNames: [path.join(dir, entry.file)], options, host })
      for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
        const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')
        // Report each error at its place in the Markdown file: snippet line N is doc line (start + N - 1).
        if (diagnostic.file && path.basename(diagnostic.file.fileName) === entry.file) {
          const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0)
          failures.push(`${entry.doc}:${entry.line + line}:${character + 1}: TS${diagnostic.code}: ${message}`)
        } else {
          failures.push(
            `${entry.doc}:${entry.line} (${diagnostic.file?.fileName ?? 'the block'}): TS${diagnostic.code}: ${message}`,
          )
        }
      }
    }
    assert.deepEqual(failures, [], `code blocks do not compile:\n${failures.join('\n')}`)
  })
})

describe("the README's runtimes table", () => {
  it('counts the known differences of Bun and Deno as __test__/known-differences.json lists them', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8')
    const { differences } = require('./known-differences.json')
    for (const [runtime, row] of [
      ['bun', '| Bun '],
      ['deno', '| Deno '],
    ]) {
      const line = readme.split('\n').find((text) => text.startsWith(row) && text.includes('listed differences'))
      const count = Number(line?.match(/all but (\d+) listed differences/)?.[1])
      assert.equal(count, differences.filter((entry) => entry.runtime === runtime).length, `${runtime}: ${line}`)
    }
  })
})
