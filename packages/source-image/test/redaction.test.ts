import { isForgeError } from '@forge/core'
import { imageConfigSchema, imageSource } from '@forge/source-image'
import type Docker from 'dockerode'
import { describe, expect, it } from 'vitest'
import { imageWorkload } from './support.js'

const PASSWORD = 's3cret-Registry-Pw'

// A daemon that echoes the credentials back in its refusal: the one thing real ones rarely do,
// and exactly what the source must not pass on.
function echoingDocker(): { docker: Docker; sent: unknown[] } {
  const sent: unknown[] = []
  const docker = {
    pull: async (_ref: string, options: unknown) => {
      sent.push(options)
      throw Object.assign(new Error(`(HTTP code 500) login failed for bot:${PASSWORD}`), {
        statusCode: 500,
        json: { message: `login failed for bot:${PASSWORD}` },
      })
    },
  }
  return { docker: docker as unknown as Docker, sent }
}

describe('registry password redaction', () => {
  it('sends the password to the daemon and keeps it out of the error, its cause and the progress', async () => {
    const { docker, sent } = echoingDocker()
    const config = imageConfigSchema.parse({
      image: 'registry.example:5000/team/web',
      pull: 'always',
      port: 8080,
      registryAuth: { username: 'bot', passwordEnv: 'REG_PW' },
    })
    const fake = imageWorkload(docker, config, { env: { REG_PW: PASSWORD } })

    const error = await imageSource.deploy(fake.ctx, { reason: 'manual' }).catch((e: unknown) => e)

    expect(sent).toEqual([
      {
        authconfig: { username: 'bot', password: PASSWORD, serveraddress: 'registry.example:5000' },
      },
    ])
    expect(isForgeError(error) && error.code).toBe('FORGE_DOCKER_PULL_FAILED')
    expect((error as Error).message).toContain('login failed for bot:[redacted]')
    const said = [(error as Error).message, JSON.stringify(error), String((error as Error).cause)]
    expect(JSON.stringify([said, fake.progress, fake.logs])).not.toContain(PASSWORD)
  })
})
