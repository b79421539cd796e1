/** npm's rules for a package name that can be published: lower case, URL-safe, scoped or not. */
const PACKAGE_NAME = /^(?:@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/
/** Forge's rule for a kind (`git`, `azure-devops`, `acme.push`), checked by define*(). */
export const KIND_NAME = /^[a-z][a-z0-9]*(?:[-.][a-z0-9]+)*$/

/** Why `name` cannot be published to npm, or null. */
export function packageNameProblem(name: string): string | null {
  if (name.length === 0) return 'a package name is required'
  if (name.length > 214) return 'npm package names are at most 214 characters'
  if (!PACKAGE_NAME.test(name))
    return 'npm package names are lower case letters, digits and - . _ ~, optionally under a @scope/'
  return null
}

/** The name without its scope: the folder the package is written to by default. */
export const unscoped = (name: string): string => name.replace(/^@[^/]+\//, '')

/**
 * The kind a package provides, from its name: `forge-trigger-azure-devops` → `azure-devops`,
 * `@acme/forge-source-nginx` → `nginx`. Null when what is left is no valid kind.
 */
export function kindNameFor(packageName: string): string | null {
  const kind = unscoped(packageName)
    .replace(/^forge-/, '')
    .replace(/^(?:plugin|trigger|source)-/, '')
    .replace(/[_~]+/g, '-')
  return KIND_NAME.test(kind) ? kind : null
}

/** `azure-devops` → `Azure Devops`: a first title, for the user to improve. */
export const titleFor = (kind: string): string =>
  kind
    .split(/[-.]/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ')
