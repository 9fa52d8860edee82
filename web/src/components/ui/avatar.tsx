import { initials } from "@/lib/format";

const COLORS = ["bg-sky-600", "bg-violet-600", "bg-emerald-600", "bg-amber-600", "bg-rose-600", "bg-teal-600", "bg-indigo-600"];

function colorOf(seed: string): string {
  let h = 0;
  for (let i = 0; i < seed.length; i++) h = (h * 31 + seed.charCodeAt(i)) >>> 0;
  return COLORS[h % COLORS.length] ?? "bg-slate-600";
}

/** Initials on a colour of the seed; groups get rounded squares, people circles. */
export function Avatar({ name, seed, size = "md", shape = "person" }: { name: string; seed: string; size?: "xs" | "sm" | "md"; shape?: "person" | "group" }) {
  const dims = size === "xs" ? "h-6 w-6 text-[10px]" : size === "sm" ? "h-8 w-8 text-xs" : "h-10 w-10 text-sm";
  return (
    <span aria-hidden className={`inline-flex shrink-0 items-center justify-center font-semibold text-white ${shape === "group" ? "rounded-xl" : "rounded-full"} ${dims} ${colorOf(seed)}`}>
      {initials(name)}
    </span>
  );
}
