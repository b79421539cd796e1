// Loaded with `node --expose-gc --require` into the server a reliability test runs: on SIGUSR2 a
// full garbage collection, then process.memoryUsage() into FORGE_TEST_MEMORY_FILE. The server's
// own code is untouched; the heap measured after a GC is what it retains, not what it churns.
const { writeFileSync } = require('node:fs')

let seq = 0
process.on('SIGUSR2', () => {
  global.gc()
  global.gc()
  writeFileSync(
    process.env.FORGE_TEST_MEMORY_FILE,
    JSON.stringify({ seq: ++seq, ...process.memoryUsage() }),
  )
})
