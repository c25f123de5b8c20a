/** GET /fusion/v1/spaces (aitable-fusion-api.md §2.10). `isAdmin` only present when true. */
export interface SpaceVo {
  id: string;
  name: string;
  isAdmin?: boolean;
}

export interface SpaceListVo {
  spaces: SpaceVo[];
}
