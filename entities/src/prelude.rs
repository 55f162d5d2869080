//! Short names for the entities, for `use entities::prelude::*`.

pub use crate::regions::Entity as Regions;
pub use crate::roles::Entity as Roles;
pub use crate::system_settings::Entity as SystemSettings;
pub use crate::teams::Entity as Teams;
pub use crate::user_roles::Entity as UserRoles;
pub use crate::users::Entity as Users;
