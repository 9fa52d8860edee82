/**
 * The gateway's upload limit (DIM_UPLOAD_MAX_BYTES), for the page to hand to the client so a
 * file over it is refused with a clear sentence before it is queued. null while the gateway
 * cannot start: the server still refuses oversize uploads itself.
 */
import { gateway } from "./gateway-holder";

export async function uploadLimit(): Promise<number | null> {
  try {
    return (await gateway()).config.uploadMaxBytes;
  } catch {
    return null;
  }
}
