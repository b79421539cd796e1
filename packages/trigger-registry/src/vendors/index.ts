import { distribution } from './distribution.js'
import { dockerhub } from './dockerhub.js'
import { generic } from './generic.js'
import { gitea } from './gitea.js'
import { github } from './github.js'
import { harbor } from './harbor.js'
import { quay } from './quay.js'
import type { VendorReader } from './reader.js'

/**
 * In detection order: vendors named by a header first (Gitea also sends X-GitHub-Event, so it
 * comes before GitHub), then body shapes, the generic fallback last.
 */
export const READERS: readonly VendorReader[] = [
  gitea,
  github,
  distribution,
  harbor,
  quay,
  dockerhub,
  generic,
]

export const VENDORS = [
  'distribution',
  'dockerhub',
  'github',
  'gitea',
  'forgejo',
  'harbor',
  'quay',
  'generic',
] as const
export type Vendor = (typeof VENDORS)[number]

export type { VendorRead, VendorReader } from './reader.js'
