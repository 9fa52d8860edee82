import type { AdminSession } from "@dim/shared";
import { whenText } from "@/lib/admin-format";

/** A user's live sessions: one per signed-in browser or device. */
export function SessionsTable({ sessions }: { sessions: AdminSession[] }) {
  if (sessions.length === 0) return <p className="mt-2 text-sm text-slate-600">No one is signed in to this account.</p>;
  return (
    <div className="mt-2 overflow-x-auto">
      <table className="w-full text-left text-sm" data-testid="admin-sessions">
        <caption className="py-1 text-left text-xs text-slate-600">Signed-in devices ({sessions.length})</caption>
        <thead className="text-xs text-slate-600">
          <tr>
            <th scope="col" className="py-1 pr-3 font-medium">Device</th>
            <th scope="col" className="py-1 pr-3 font-medium">Address</th>
            <th scope="col" className="py-1 pr-3 font-medium">Signed in</th>
            <th scope="col" className="py-1 pr-3 font-medium">Last used</th>
          </tr>
        </thead>
        <tbody>
          {sessions.map((s) => (
            <tr key={s.id} className="border-t border-slate-200 align-top text-slate-800">
              <td className="max-w-[16rem] break-words py-1.5 pr-3">{s.userAgent ?? "unknown"}</td>
              <td className="py-1.5 pr-3">{s.ip ?? "unknown"}</td>
              <td className="py-1.5 pr-3">{whenText(s.createdAt)}</td>
              <td className="py-1.5 pr-3">{whenText(s.lastUsedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
