import type { MetadataRoute } from "next";

/** The web app manifest (served at /manifest.webmanifest): what makes DIM installable. */
export default function manifest(): MetadataRoute.Manifest {
  return {
    id: "/",
    name: "DIM — distributed instant messaging",
    short_name: "DIM",
    description: "Chat with your contacts, on any device — even offline.",
    start_url: "/",
    scope: "/",
    display: "standalone",
    orientation: "any",
    background_color: "#f8fafc",
    theme_color: "#1f63d8",
    categories: ["social", "communication"],
    icons: [
      { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
      { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
      { src: "/icons/maskable-192.png", sizes: "192x192", type: "image/png", purpose: "maskable" },
      { src: "/icons/maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
      { src: "/icons/icon.svg", sizes: "any", type: "image/svg+xml", purpose: "any" },
    ],
  };
}
