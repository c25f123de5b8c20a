export interface NodeVo {
  id: string;
  name: string;
  type: string;
  icon: string;
  isFav: boolean;
  permission: number;
  parentId?: string;
  children?: NodeVo[];
}

export interface NodeListVo {
  nodes: NodeVo[];
}
