#!/usr/bin/env node
// Precompresses a web build for embedding (tools/embed.c, src/http/static.c):
//
//   node tools/embed-compress.mjs DIR
//
// For every text file (js, css, html, svg, json, txt, map) under DIR writes NAME.gz (gzip -9)
// and NAME.br (Brotli, quality 11), each only when it is smaller than the file itself (a stale
// one is removed). The output is reproducible: no time stamp or file name in the gzip header.
// kam sends NAME.br to a client accepting br, else NAME.gz to one accepting gzip, else NAME.
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'

const dir = process.argv[2]
if (!dir || !fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
  console.error('usage: node tools/embed-compress.mjs DIR')
  process.exit(2)
}

function* walk(d) {
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name)
    if (e.isDirectory()) yield* walk(p)
    else if (/\.(js|mjs|css|html|svg|json|txt|map)$/.test(e.name)) yield p
  }
}

let raw = 0
let gz = 0
let br = 0
for (const file of walk(dir)) {
  const data = fs.readFileSync(file)
  const out = {
    '.gz': zlib.gzipSync(data, { level: 9 }),
    '.br': zlib.brotliCompressSync(data, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
        [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
      },
    }),
  }
  raw += data.length
  for (const [ext, z] of Object.entries(out)) {
    const smaller = z.length < data.length
    if (smaller) fs.writeFileSync(file + ext, z)
    else fs.rmSync(file + ext, { force: true })
    if (ext === '.gz') gz += smaller ? z.length : data.length
    else br += smaller ? z.length : data.length
  }
}
const kib = (n) => `${(n / 1024).toFixed(0)} KiB`
console.log(`embed-compress: ${dir}: ${kib(raw)} -> gzip ${kib(gz)}, brotli ${kib(br)}`)
