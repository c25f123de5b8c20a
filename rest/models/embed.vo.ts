/**
 * Embed links, shaped after the JS SDK's typings (apitable 1.3.0 `interface/embed.link.d.ts`). Request values
 * are typed loosely on purpose: the service checks them and answers with the reference's messages.
 */
export interface EmbedLinkCreateRo {
  /**
   * IEmbedInfo: `{primarySideBar?: {collapsed?}, viewControl?: {viewId?, tabBar?, toolBar?: {basicTools?,
   * shareBtn?, widgetBtn?, apiBtn?, formBtn?, historyBtn?, robotBtn?}}, bannerLogo?, permissionType?:
   * "readOnly" | "publicEdit" | "privateEdit"}`; switches are booleans, unknown keys are dropped.
   */
  payload?: unknown;
  /** "light" or "dark". */
  theme?: unknown;
}

/** IEmbedInfo as stored and answered. */
export interface EmbedInfoVo {
  primarySideBar?: { collapsed?: boolean };
  viewControl?: {
    viewId?: string;
    tabBar?: boolean;
    toolBar?: {
      basicTools?: boolean;
      shareBtn?: boolean;
      widgetBtn?: boolean;
      apiBtn?: boolean;
      formBtn?: boolean;
      historyBtn?: boolean;
      robotBtn?: boolean;
      addWidgetBtn?: boolean;
      formSettingBtn?: boolean;
      fullScreenBtn?: boolean;
    };
  };
  bannerLogo?: boolean;
  permissionType?: 'readOnly' | 'publicEdit' | 'privateEdit';
}

export interface EmbedLinkVo {
  linkId: string;
  /** The link's public, read-only view (no token needed). */
  url: string;
  payload?: EmbedInfoVo;
  theme?: 'light' | 'dark';
}

export interface EmbedDescriptionVo {
  linkId: string;
  theme?: 'light' | 'dark';
  payload?: EmbedInfoVo;
  /** Always true: the public embed routes only read. */
  readOnly: true;
  datasheet: { id: string; name: string };
  view: { id: string; name: string; type: string };
  fields: {
    id: string;
    name: string;
    type: string;
    property?: unknown;
    editable: boolean;
    isPrimary?: boolean;
    desc?: string;
  }[];
}
