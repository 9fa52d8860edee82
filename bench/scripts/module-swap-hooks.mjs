/** Resolve hook of module-swap.mjs (runs on Node's loader thread). */
let swap;

export function initialize(data) {
  swap = data;
}

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  return swap && result.url === swap.from ? { ...result, url: swap.to } : result;
}
