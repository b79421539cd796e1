import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

export const BUSYBOX_IMAGE = 'forge-test/busybox:1'

/**
 * Fails with a clear message when the Docker engine or the local base image is missing, so a test
 * that needs them never passes vacuously. Call it in `beforeAll`.
 */
export async function requireDocker(): Promise<void> {
  try {
    await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 15_000 })
  } catch (error) {
    throw new Error(
      `This test needs a running Docker engine and none answered (${(error as Error).message.split('\n')[0]}). ` +
        'Run `bash scripts/test-env.sh` as root: it installs docker.io and starts dockerd.',
    )
  }
  try {
    await run('docker', ['image', 'inspect', BUSYBOX_IMAGE], { timeout: 15_000 })
  } catch {
    throw new Error(
      `This test needs the local image ${BUSYBOX_IMAGE}. Run \`bash scripts/test-env.sh\`: it builds it from busybox-static.`,
    )
  }
}

/** Runs the docker CLI and returns stdout; throws with stderr on failure. */
export async function docker(args: string[], timeout = 120_000): Promise<string> {
  try {
    const { stdout } = await run('docker', args, { timeout, maxBuffer: 16 * 1024 * 1024 })
    return stdout
  } catch (error) {
    const e = error as { stderr?: string; message: string }
    throw new Error(`docker ${args.join(' ')} failed: ${e.stderr || e.message}`)
  }
}

/** Removes every container carrying a label (`forge.workload.id=...`), for test cleanup. */
export async function removeLabelled(label: string): Promise<void> {
  const ids = (await docker(['ps', '-aq', '--filter', `label=${label}`]))
    .split('\n')
    .filter(Boolean)
  if (ids.length) await docker(['rm', '-f', '-v', ...ids])
}
