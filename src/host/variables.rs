//! `fermyon:spin/variables@2.0.0`: a component reads its own `[component.<id>.variables]`.

use super::ComponentState;
use super::variables_wit::{Error, Host};
use crate::app::manifest::valid_variable_name;

impl Host for ComponentState {
    async fn get(&mut self, name: String) -> wasmtime::Result<Result<String, Error>> {
        if !valid_variable_name(&name) {
            return Ok(Err(Error::InvalidName(name)));
        }
        Ok(match self.variables.get(&name) {
            Some(value) => Ok(value.clone()),
            None => Err(Error::Undefined(format!(
                "no variable {name:?} in this component's [variables]"
            ))),
        })
    }
}
