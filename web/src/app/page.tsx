import { ChatApp } from "@/components/chat-app";
import { uploadLimit } from "@/lib/server/upload-limit";

export default async function HomePage() {
  return <ChatApp maxUploadBytes={await uploadLimit()} />;
}
