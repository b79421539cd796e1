/**
 * `@forge/core/trigger`: what triggers share in `parse` and `match` — rejections, the body read
 * as JSON, headers, untrusted JSON by dotted path, webhook signatures, branch/tag/image patterns.
 */
export { hmacSha256Hex, safeEqual, verifyHmacSha256 } from './crypto.js'
export { matchGlob, matchPatterns, patternProblem } from './match.js'
export type { JsonObject, ReadJsonOptions } from './webhook.js'
export {
  bearerToken,
  firstJsonText,
  isJsonObject,
  jsonAt,
  jsonText,
  lowerCaseHeaders,
  PayloadError,
  readJsonBody,
  rejectRequest,
  requireJsonText,
} from './webhook.js'
