import { initials } from "@/lib/format";

// White initials need 4.5:1 on each; none of these is re-mapped by the dark theme (globals.css).
const COLORS = ["bg-sky-700", "bg-violet-600", "bg-teal-700", "bg-fuchsia-700", "bg-rose-700", "bg-blue-700", "bg-indigo-600"];

function colorOf(seed: string): string {
  let h = 0;
  for (let i = 0; i < seed.length; i++) h = (h * 31 + seed.charCodeAt(i)) >>> 0;
  return COLORS[h % COLORS.length] ?? "bg-slate-600";
}

/** Initials on a colour of the seed; groups get rounded squares, people circles. */
export function Avatar({ name, seed, size = "md", shape = "person" }: { name: string; seed: string; size?: "xs" | "sm" | "md"; shape?: "person" | "group" }) {
  const dims = size === "xs" ? "h-6 w-6 text-[10px]" : size === "sm" ? "h-8 w-8 text-xs" : "h-10 w-10 text-sm";
  return (
    // The initials are drawn by CSS, not text: the avatar is decoration, and text in it would count as
    // visible words of the button it sits in (which then must be part of its accessible name).
    <span
      aria-hidden
      data-initials={initials(name)}
      className={`inline-flex shrink-0 items-center justify-center font-semibold text-white before:content-[attr(data-initials)] ${shape === "group" ? "rounded-xl" : "rounded-full"} ${dims} ${colorOf(seed)}`}
    />
  );
}
