//! `#[derive(CrateObject)]`.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput};

use crate::{
    attr::{Errors, Target, parse_struct_attrs},
    column::{Column, columns},
};

pub(crate) fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let mut errors = Errors::default();
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new(
            input.ident.span(),
            "CrateObject can only be derived for a struct with named fields",
        ));
    };
    let attrs = parse_struct_attrs(&input.attrs, Target::Object, &mut errors);
    let columns = columns(&data.fields, &attrs, Target::Object, &mut errors);
    errors.finish()?;

    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let fields = columns.iter().map(Column::column_def);
    Ok(quote! {
        impl #impl_generics ::sea_cratedb::CrateObject for #ident #ty_generics #where_clause {
            fn object_type(policy: ::sea_cratedb::ColumnPolicy) -> ::sea_cratedb::ObjectType {
                ::sea_cratedb::CrateType::object(policy)
                    #(.field(#fields))*
            }
        }
    })
}
