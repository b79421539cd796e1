import { isJsonObject, jsonText, PayloadError, requireJsonText } from '@forge/core/trigger'
import { DOCKER_HUB } from '../image-ref.js'

import { imagePush, type VendorReader } from './reader.js'

/** Docker Hub repository webhooks: one push, no signature, no event header, no digest. */
export const dockerhub: VendorReader = {
  vendor: 'dockerhub',
  shape: 'Docker Hub `{ "push_data": { "tag" }, "repository": { "repo_name" } }`',
  detect: (_headers, json) => isJsonObject(json.push_data) && isJsonObject(json.repository),
  read(json) {
    const repository = requireJsonText(json, 'repository.repo_name', 'the image name (`user/app`)')
    const tag = jsonText(json, 'push_data.tag')
    const event = imagePush('dockerhub', { registry: DOCKER_HUB, repository, tag })
    if (!event)
      throw new PayloadError(
        'repository.repo_name',
        `an image name, received "${repository.slice(0, 80)}"`,
      )
    return { events: [event] }
  },
}
