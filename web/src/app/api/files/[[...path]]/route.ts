/**
 * The gateway's file routes (POST /api/files uploads, GET/HEAD /api/files/<id>[/thumb]
 * downloads: @dim/api attachments/file-routes.ts). The same gateway instance and handler as
 * /api/trpc: the gateway dispatches on the path, so this file only mounts it here.
 */
import { GET, OPTIONS, POST } from "../../trpc/[trpc]/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export { GET, GET as HEAD, POST, OPTIONS };
