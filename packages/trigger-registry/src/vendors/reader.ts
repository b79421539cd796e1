import type { ImagePushEvent, InboundEvent } from '@forge/core'
import type { JsonObject } from '@forge/core/trigger'
import { type ImageRef, normalizeImage } from '../image-ref.js'

export interface VendorRead {
  events: InboundEvent[]
  /** Why nothing (or less than the body held) became an event, for the delivery log. */
  note?: string
}

/** One wire format: how to recognise it and how to read it into `image.push` events. */
export interface VendorReader {
  vendor: string
  /** What the format looks like, for the message of a request no reader recognises. */
  shape: string
  detect(headers: Record<string, string>, json: JsonObject): boolean
  read(json: JsonObject, headers: Record<string, string>): VendorRead
}

/** An `image.push` event from parts a vendor sent, normalized; null when a part is malformed. */
export function imagePush(
  vendor: string,
  parts: Omit<ImageRef, 'tag' | 'digest'> & { tag?: string | null; digest?: string | null },
  deliveryId?: string | null,
): ImagePushEvent | null {
  const ref = normalizeImage(parts)
  if (ref === null) return null
  return {
    type: 'image.push',
    vendor,
    registry: ref.registry,
    repository: ref.repository,
    tag: ref.tag,
    digest: ref.digest,
    ...(deliveryId ? { deliveryId } : {}),
  }
}

/** A registry host from a URL or a bare host (`https://gitea.example.com/...` → host). */
export function hostOf(value: string | null): string | null {
  if (value === null) return null
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`).host || null
  } catch {
    return null
  }
}
