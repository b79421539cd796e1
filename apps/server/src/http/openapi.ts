import { z } from 'zod'
import type { RouteDoc } from './route.js'

const toJsonSchema = (schema: z.ZodType) => {
  try {
    return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })
  } catch {
    return {}
  }
}

/** An OpenAPI 3.1 document built from the route table's zod schemas. */
export function openApiDocument(specs: RouteDoc[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const spec of specs) {
    const path = spec.path.replace(/:(\w+)/g, '{$1}')
    const params = [...spec.path.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }))
    const query = spec.query
      ? Object.keys(spec.query.shape).map((name) => ({
          name,
          in: 'query',
          required: false,
          schema: { type: 'string' },
        }))
      : []
    paths[path] ??= {}
    ;(paths[path] as Record<string, unknown>)[spec.method] = {
      summary: spec.summary,
      parameters: [...params, ...query],
      ...(spec.body
        ? {
            requestBody: {
              required: true,
              content:
                spec.body === 'raw'
                  ? { '*/*': { schema: { description: 'the raw body, as the sender signed it' } } }
                  : { 'application/json': { schema: toJsonSchema(spec.body) } },
            },
          }
        : {}),
      ...(spec.public ? { security: [] } : {}),
      responses: { default: { description: 'JSON; errors are { error: { code, message } }' } },
    }
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Forge server API', version },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths,
  }
}
