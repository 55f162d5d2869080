//! Short names for the entities, for `use entities::prelude::*`.

pub use crate::api_clients::Entity as ApiClients;
pub use crate::audit_log::Entity as AuditLog;
pub use crate::customers::Entity as Customers;
pub use crate::login_failures::Entity as LoginFailures;
pub use crate::refresh_tokens::Entity as RefreshTokens;
pub use crate::regions::Entity as Regions;
pub use crate::role_permissions::Entity as RolePermissions;
pub use crate::roles::Entity as Roles;
pub use crate::system_settings::Entity as SystemSettings;
pub use crate::teams::Entity as Teams;
pub use crate::user_roles::Entity as UserRoles;
pub use crate::users::Entity as Users;
