// The directory's answers as the API gives them (from the generated API schema).
import type { ResponseOf } from "../api/types.ts";

export type Recommended = ResponseOf<"/api/v1/directory/recommend">[number];
export type DirectoryLines = ResponseOf<"/api/v1/directory/lines">;
export type DirectoryLine = DirectoryLines["groups"][number]["lines"][number];
export type RegionOption = ResponseOf<"/api/v1/directory/regions">[number];
