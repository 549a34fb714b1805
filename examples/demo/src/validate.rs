//! garde reports as Serac validation errors: one message per field, named
//! like the form's inputs, so pages show each next to its field (S16).

use serac::{ActionError, FieldErrors};

/// Validates `value`; on failure, a `422` with a message per field.
pub fn check<T: garde::Validate<Context = ()>>(value: &T) -> Result<(), ActionError> {
    match value.validate() {
        Ok(()) => Ok(()),
        Err(report) => {
            let mut fields = FieldErrors::new();
            for (path, error) in report.iter() {
                fields.add(path.to_string(), error.message().to_string());
            }
            Err(ActionError::Validation(fields))
        }
    }
}
