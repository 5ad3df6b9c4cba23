// Reads a Parquet file with hyparquet (an independent, pure-JavaScript
// reader) and prints its schema and rows as JSON for segtable's tests.
// Floats are printed as strings so that NaN survives JSON.
import { readFileSync } from 'node:fs'
import { parquetMetadata, parquetReadObjects } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'

const buf = readFileSync(process.argv[2])
const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)
const meta = parquetMetadata(file)
const schema = meta.schema.slice(1).map(s => ({
  name: s.name, type: s.type, logical: s.logical_type?.type ?? null, repetition: s.repetition_type,
}))
const codecs = [...new Set(meta.row_groups.flatMap(g => g.columns.map(c => c.meta_data.codec)))]
const rows = await parquetReadObjects({ file, compressors })
const out = rows.map(r => Object.fromEntries(Object.entries(r).map(([k, v]) =>
  [k, typeof v === 'number' && !Number.isInteger(v) || Number.isNaN(v) ? String(v) : v])))
process.stdout.write(JSON.stringify({ schema, codecs, row_groups: meta.row_groups.length, rows: out }))
